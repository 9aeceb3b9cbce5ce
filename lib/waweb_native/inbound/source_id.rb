# frozen_string_literal: true

module WawebNative
  module Inbound
    # The ContactInbox#source_id forms of a whatsapp_web inbox (jid-rules.md):
    # a phone's digits, a group JID, or a LID, each in canonical form.
    module SourceId
      PHONE = /\A[1-9]\d{6,14}\z/

      module_function

      def valid?(source_id)
        value = source_id.to_s
        return true if PHONE.match?(value)

        jid = WawebNative::JID.parse(value)
        (jid.group? || jid.lid?) && jid.source_id == value
      rescue WawebNative::InvalidJID
        false
      end

      # The digits of every Brazil ninth-digit form of a user JID (one form elsewhere).
      def phone_variants(jid)
        forms = WawebNative::JID.phone_variants(jid.to_s).map { |v| v.to_s.split("@").first.delete("^0-9") }
        ([jid.source_id] + forms).uniq
      end
    end
  end
end
