# frozen_string_literal: true

class Conversation < ApplicationRecord
  enum :status, { open: 0, resolved: 1, pending: 2, snoozed: 3 }

  belongs_to :account
  belongs_to :inbox
  belongs_to :contact
  belongs_to :contact_inbox
  belongs_to :assignee, class_name: "User", optional: true
  has_many :messages, dependent: :destroy

  # Chatwoot numbers conversations per account with a database trigger (a sequence per
  # account, so concurrent creations never collide); the dashboard's routes
  # (…/conversations/:id) use that number, not the primary key.
  DISPLAY_ID_LOCK = 7_301 # the advisory lock class of conversation numbering

  before_create :assign_display_id
  after_create_commit :notify_conversation_creation

  def can_reply?
    Conversations::MessageWindowService.new(self).can_reply?
  end

  private

  # The next number, as the sequence would give it: on PostgreSQL the account's numbering is
  # locked until this transaction ends, so two conversations created at once (two Sidekiq
  # threads, new contacts) never read the same maximum. SQLite writes one at a time.
  def assign_display_id
    return if display_id

    if self.class.connection.adapter_name.match?(/postg/i)
      self.class.connection.execute("SELECT pg_advisory_xact_lock(#{DISPLAY_ID_LOCK}, #{Integer(account_id)})")
    end
    self.display_id = (Conversation.where(account_id: account_id).maximum(:display_id) || 0) + 1
  end

  def notify_conversation_creation
    Rails.configuration.dispatcher.dispatch(Events::Types::CONVERSATION_CREATED, Time.zone.now, conversation: self)
  end
end
