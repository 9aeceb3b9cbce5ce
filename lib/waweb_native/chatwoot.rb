# frozen_string_literal: true

module WawebNative
  # The hooks into Chatwoot's own classes, one small module per behaviour it changes.
  # Chatwoot offers no extension points, so each is prepended to its target class.
  # install! runs from the engine's to_prepare: after a code reload the targets are
  # new class objects and receive the hooks again; a class that already has a hook
  # is left alone, so running it twice changes nothing.
  module Chatwoot
    HOOKS = {
      "Channel::Whatsapp" => %w[ChannelWhatsappProvider ChannelWhatsappWebhookSecret
                                ChannelWhatsappEditKeepsSecrets],
      "ContactInbox" => %w[ContactInboxSourceId],
      "Conversations::MessageWindowService" => %w[MessageWindowLift],
      "Webhooks::WhatsappEventsJob" => %w[WhatsappEventsJobRouting],
      "Webhooks::WhatsappController" => %w[WhatsappControllerRouting],
      "Dispatcher" => %w[QuietHistoryImport::Dispatcher],
      "Message" => %w[QuietHistoryImport::Message],
      "Conversation" => %w[QuietHistoryImport::Conversation],
      # Where agents act (the way back): reading, deleting, typing.
      "Api::V1::Accounts::ConversationsController" => %w[ConversationSeenMarksRead],
      "Api::V1::Accounts::Conversations::MessagesController" => %w[MessageDeleteRevokes],
      "AsyncDispatcher" => %w[AsyncDispatcherListeners],
      "Inbox" => %w[InboxGatewayConfiguration]
    }.freeze

    PROVIDER = "whatsapp_web"

    module_function

    def install!
      HOOKS.each do |target_name, hook_names|
        target = target_name.safe_constantize
        next if target.nil? # a host without this class has nothing to hook

        hook_names.each do |hook_name|
          hook = const_get(hook_name)
          target.prepend(hook) unless target < hook
          hook.install(target) if hook.respond_to?(:install)
        end
      end
    end

    # True when a Channel::Whatsapp (or an inbox's channel) uses this gem's provider.
    def whatsapp_web?(channel)
      channel.respond_to?(:provider) && channel.provider == PROVIDER
    end
  end
end

require_relative "chatwoot/channel_whatsapp_provider"
require_relative "chatwoot/channel_whatsapp_webhook_secret"
require_relative "chatwoot/channel_whatsapp_edit_keeps_secrets"
require_relative "chatwoot/contact_inbox_source_id"
require_relative "chatwoot/message_window_lift"
require_relative "chatwoot/whatsapp_events_job_routing"
require_relative "chatwoot/whatsapp_controller_routing"
require_relative "chatwoot/quiet_history_import"
require_relative "chatwoot/conversation_seen_marks_read"
require_relative "chatwoot/message_delete_revokes"
require_relative "chatwoot/async_dispatcher_listeners"
require_relative "chatwoot/inbox_gateway_configuration"
