# frozen_string_literal: true

module Whatsapp
  module Providers
    # Meta's and 360dialog's networks are faked here: sends "succeed" and are recorded in
    # StandIn.deliveries ([provider, to, message_id, returned_id]) so specs can see them.
    module StandIn
      @deliveries = Concurrent::Array.new
      class << self
        attr_reader :deliveries
      end

      def send_message(phone_number, message)
        returned_id = "#{self.class.name.demodulize}-#{SecureRandom.hex(8)}"
        StandIn.deliveries << [whatsapp_channel.provider, phone_number, message.id, returned_id]
        returned_id
      end

      def send_template(phone_number, _template_info, message)
        send_message(phone_number, message)
      end

      def sync_templates
        whatsapp_channel.mark_message_templates_updated
      end

      def media_url(media_id)
        "https://example.invalid/media/#{media_id}"
      end
    end
  end
end
