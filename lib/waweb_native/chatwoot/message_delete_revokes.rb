# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # An agent deleting a message (DELETE .../conversations/:id/messages/:id) also deletes it
    # for everyone on WhatsApp when it went out from a whatsapp_web inbox
    # (WawebNative::Outbound::Revocation). Chatwoot's update replaces content_attributes, so
    # whether the phone had already revoked it is read first.
    module MessageDeleteRevokes
      def destroy
        target = respond_to?(:message, true) ? message : nil
        deleted_before = target ? WawebNative::Outbound::Revocation.deleted?(target) : true
        result = super
        WawebNative::Outbound::Revocation.agent_deleted(target, deleted_before: deleted_before)
        result
      end
    end
  end
end
