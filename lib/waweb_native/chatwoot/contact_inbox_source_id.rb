# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Chatwoot lets a WhatsApp ContactInbox#source_id be digits only. A whatsapp_web
    # inbox also needs group JIDs (a group is one conversation) and LIDs (contacts
    # whose phone WhatsApp hides). Every other inbox keeps Chatwoot's rule.
    module ContactInboxSourceId
      private

      def validate_whatsapp_source_id
        return super unless Chatwoot.whatsapp_web?(inbox&.channel)
        return if WawebNative::Inbound::SourceId.valid?(source_id)

        errors.add(:source_id, "invalid source id for a WhatsApp Web inbox: digits of a phone number, " \
                               "a group JID (...@g.us) or a LID (...@lid)")
      end
    end
  end
end
