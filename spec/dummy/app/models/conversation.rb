# frozen_string_literal: true

class Conversation < ApplicationRecord
  enum :status, { open: 0, resolved: 1, pending: 2, snoozed: 3 }

  belongs_to :account
  belongs_to :inbox
  belongs_to :contact
  belongs_to :contact_inbox
  has_many :messages, dependent: :destroy

  def can_reply?
    Conversations::MessageWindowService.new(self).can_reply?
  end
end
