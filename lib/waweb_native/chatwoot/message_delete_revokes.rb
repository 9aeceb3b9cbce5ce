# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # An agent deleting a message (DELETE .../conversations/:id/messages/:id) also deletes it
    # for everyone on WhatsApp when it went out from a whatsapp_web inbox
    # (WawebNative::Outbound::Revocation). Chatwoot's update replaces content_attributes, so
    # whether the phone had already revoked it, and the ids it went out as, are read first.
    module MessageDeleteRevokes
      def destroy
        target = respond_to?(:message, true) ? message : nil
        revocation = WawebNative::Outbound::Revocation
        deleted_before = target ? revocation.deleted?(target) : true
        sent_ids = revocation.sent_ids(target)
        result = super
        revocation.agent_deleted(target, deleted_before: deleted_before, sent_ids: sent_ids)
        result
      end
    end
  end
end
