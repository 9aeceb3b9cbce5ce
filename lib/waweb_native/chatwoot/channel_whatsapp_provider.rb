# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Channel::Whatsapp admits provider "whatsapp_web" and serves it with
    # Whatsapp::Providers::WhatsappWebService. Chatwoot's inclusion validator holds its
    # own reference to the frozen PROVIDERS array, so redefining the constant would
    # not help: the validator itself is swapped for one whose list has whatsapp_web.
    module ChannelWhatsappProvider
      def self.install(model)
        old = model.validators_on(:provider).find { |v| v.is_a?(ActiveModel::Validations::InclusionValidator) }
        return if old.nil? || admits?(old)

        model._validators[:provider].delete(old)
        model.skip_callback(:validate, old)
        options = old.options.except(:in, :within).merge(in: (Array(old.options[:in] || old.options[:within]) +
                                                             [PROVIDER]).freeze)
        model.validates(:provider, inclusion: options)
      end

      def self.admits?(validator)
        list = validator.options[:in] || validator.options[:within]
        list.respond_to?(:include?) && list.include?(PROVIDER)
      end

      def provider_service
        return ::Whatsapp::Providers::WhatsappWebService.new(whatsapp_channel: self) if provider == PROVIDER

        super
      end
    end
  end
end
