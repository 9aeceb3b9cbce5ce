# frozen_string_literal: true

class Conversation < ApplicationRecord
  enum :status, { open: 0, resolved: 1, pending: 2, snoozed: 3 }

  belongs_to :account
  belongs_to :inbox
  belongs_to :contact
  belongs_to :contact_inbox
  belongs_to :assignee, class_name: "User", optional: true
  has_many :messages, dependent: :destroy

  # Chatwoot numbers conversations per account with a database trigger drawing on a
  # sequence (conv_dpid_seq_<account>); the dashboard's routes (…/conversations/:id) use
  # that number, not the primary key. On PostgreSQL the host draws on one sequence too,
  # so conversations created at once never collide (as in Chatwoot); SQLite (bin/demo)
  # has a single writer.
  before_create :assign_display_id
  after_create_commit :notify_conversation_creation

  def can_reply?
    Conversations::MessageWindowService.new(self).can_reply?
  end

  private

  def assign_display_id
    self.display_id ||= if self.class.connection.adapter_name.match?(/postg/i)
                          self.class.connection.select_value("SELECT nextval('conversations_display_id_seq')")
                        else
                          (Conversation.where(account_id: account_id).maximum(:display_id) || 0) + 1
                        end
  end

  def notify_conversation_creation
    Rails.configuration.dispatcher.dispatch(Events::Types::CONVERSATION_CREATED, Time.zone.now, conversation: self)
  end
end
