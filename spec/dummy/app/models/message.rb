# frozen_string_literal: true

class Message < ApplicationRecord
  enum :message_type, { incoming: 0, outgoing: 1, activity: 2, template: 3 }
  enum :content_type, {
    text: 0, input_text: 1, input_textarea: 2, input_email: 3, input_select: 4, cards: 5, form: 6,
    article: 7, incoming_email: 8, input_csat: 9, integrations: 10, sticker: 11, voice_call: 12
  }
  enum :status, { sent: 0, delivered: 1, read: 2, failed: 3 }

  attribute :content_attributes, IndifferentJsonType.new, default: -> { {} }
  store_accessor :content_attributes, :in_reply_to, :in_reply_to_external_id, :deleted, :external_error,
                 :external_created_at, :is_unsupported, :data

  belongs_to :account
  belongs_to :inbox
  belongs_to :conversation, touch: true
  belongs_to :sender, polymorphic: true, optional: true
  has_many :attachments, dependent: :destroy

  validates :content, length: { maximum: 150_000 }
  validate :prevent_message_flooding, on: :create

  before_save :ensure_in_reply_to
  after_create_commit :execute_after_create_commit_callbacks

  private

  # A reply names its parent by id or by WhatsApp id; both are resolved inside this
  # conversation, and dropped when no such message exists.
  def ensure_in_reply_to
    return if in_reply_to.blank? && in_reply_to_external_id.blank?

    parent = in_reply_to_message
    content_attributes[:in_reply_to] = parent&.id
    content_attributes[:in_reply_to_external_id] = parent&.source_id
  end

  def in_reply_to_message
    return conversation.messages.find_by(id: in_reply_to) if in_reply_to.present?

    conversation.messages.find_by(source_id: in_reply_to_external_id)
  end

  def prevent_message_flooding
    return if conversation.blank?
    return if conversation.messages.where(created_at: 1.minute.ago..).count < flood_limit

    Rails.logger.error("Too many messages: account #{account_id}, conversation #{conversation_id}")
    errors.add(:base, "Too many messages")
  end

  def flood_limit
    ENV.fetch("CONVERSATION_MESSAGE_PER_MINUTE_LIMIT", "200").to_i
  end

  def execute_after_create_commit_callbacks
    reopen_conversation
    set_conversation_activity
    dispatch_create_events
    send_reply if outgoing? || template?
  end

  def dispatch_create_events
    Rails.configuration.dispatcher.dispatch(Events::Types::MESSAGE_CREATED, Time.zone.now, message: self)
  end

  def reopen_conversation
    conversation.open! if incoming? && (conversation.resolved? || conversation.snoozed?)
  end

  def set_conversation_activity
    conversation.update_columns(last_activity_at: created_at)
  end

  # Attachments reach the storage service only after commit, hence Chatwoot's short delay.
  def send_reply
    attachments.blank? ? SendReplyJob.perform_later(id) : SendReplyJob.set(wait: 2.seconds).perform_later(id)
  end
end
