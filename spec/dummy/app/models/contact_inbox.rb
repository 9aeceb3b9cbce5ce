# frozen_string_literal: true

class ContactInbox < ApplicationRecord
  WHATSAPP_CHANNEL_REGEX = Regexp.new('^\d{1,15}\z')

  belongs_to :contact
  belongs_to :inbox
  has_many :conversations, dependent: :destroy

  validates :source_id, presence: true, uniqueness: { scope: :inbox_id }
  validate :valid_source_id_format?

  private

  def valid_source_id_format?
    validate_whatsapp_source_id if inbox&.channel_type == "Channel::Whatsapp"
  end

  def validate_whatsapp_source_id
    return if WHATSAPP_CHANNEL_REGEX.match?(source_id)

    errors.add(:source_id, "invalid source id for whatsapp inbox. valid Regex #{WHATSAPP_CHANNEL_REGEX}")
  end
end
