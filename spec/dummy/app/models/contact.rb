# frozen_string_literal: true

class Contact < ApplicationRecord
  belongs_to :account
  has_many :contact_inboxes, dependent: :destroy
  has_many :inboxes, through: :contact_inboxes
  has_many :conversations, dependent: :destroy
  has_many :messages, as: :sender, dependent: :destroy
  has_one_attached :avatar

  # Chatwoot's own pattern: anchored at the end only.
  validates :phone_number, allow_blank: true, uniqueness: { scope: [:account_id] },
                           format: { with: /\+[1-9]\d{1,14}\z/, message: "should be in e164 format" }
  validates :identifier, allow_blank: true, uniqueness: { scope: [:account_id] }
  validates :email, allow_blank: true, uniqueness: { scope: [:account_id], case_sensitive: false }
end
