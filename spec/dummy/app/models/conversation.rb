# frozen_string_literal: true

class Conversation < ApplicationRecord
  enum :status, { open: 0, resolved: 1, pending: 2, snoozed: 3 }

  belongs_to :account
  belongs_to :inbox
  belongs_to :contact
  belongs_to :contact_inbox
  has_many :messages, dependent: :destroy

  after_create_commit :notify_conversation_creation

  def can_reply?
    Conversations::MessageWindowService.new(self).can_reply?
  end

  private

  def notify_conversation_creation
    Rails.configuration.dispatcher.dispatch(Dispatcher::CONVERSATION_CREATED, Time.zone.now, conversation: self)
  end
end
