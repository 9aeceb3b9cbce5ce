# frozen_string_literal: true

# Chatwoot's NotificationListener, reduced: a new conversation notifies every agent of
# its inbox unless it is pending (conversation_creation); a new incoming message
# notifies the inbox's agents too (standing for NewMessageNotificationService's
# assignee and participants, which this host does not model).
class NotificationListener
  include Singleton

  def conversation_created(event)
    conversation = event.data[:conversation]
    return if conversation.pending?

    notify(conversation, :conversation_creation, conversation.inbox.members)
  end

  def message_created(event)
    message = event.data[:message]
    return unless message.incoming?

    notify(message.conversation, :participating_conversation_new_message, message.inbox.members, message)
  end

  private

  def notify(conversation, type, users, secondary = nil)
    users.each do |user|
      Notification.create!(account_id: conversation.account_id, user: user, notification_type: type,
                           primary_actor: conversation, secondary_actor: secondary)
    end
  end
end
