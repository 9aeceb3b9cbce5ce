# frozen_string_literal: true

module Whatsapp
  module Providers
    # What every WhatsApp provider implements (chatwoot-contract.md, "Services a provider must satisfy").
    class BaseService
      def initialize(whatsapp_channel:)
        @whatsapp_channel = whatsapp_channel
      end

      # Returns the WhatsApp message id, or nil after marking the message failed.
      def send_message(_phone_number, _message)
        raise NotImplementedError, "#{self.class} must implement send_message"
      end

      def send_template(_phone_number, _template_info, _message)
        raise NotImplementedError, "#{self.class} must implement send_template"
      end

      def sync_templates
        raise NotImplementedError, "#{self.class} must implement sync_templates"
      end

      def validate_provider_config?
        raise NotImplementedError, "#{self.class} must implement validate_provider_config?"
      end

      def api_headers
        raise NotImplementedError, "#{self.class} must implement api_headers"
      end

      def media_url(_media_id)
        raise NotImplementedError, "#{self.class} must implement media_url"
      end

      private

      attr_reader :whatsapp_channel
    end
  end
end
