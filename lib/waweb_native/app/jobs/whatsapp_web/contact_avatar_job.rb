# frozen_string_literal: true

module WhatsappWeb
  # A contact's WhatsApp profile picture as its avatar (WawebNative::Inbound::ContactAvatar).
  # Failures are logged there; the next day's message tries again.
  class ContactAvatarJob < ActiveJob::Base
    # Where Chatwoot's own Avatar::AvatarFromUrlJob goes: after every queue of messages and their events.
    queue_as :purgable

    def perform(contact_id, inbox_id)
      contact = ::Contact.find_by(id: contact_id)
      inbox = ::Inbox.find_by(id: inbox_id)
      return if contact.nil? || inbox.nil? || !WawebNative::Chatwoot.whatsapp_web?(inbox.channel)

      WawebNative::Inbound::ContactAvatar.new(contact, inbox).refresh!
    end
  end
end
