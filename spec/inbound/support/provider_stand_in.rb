# frozen_string_literal: true

# Whatsapp::Providers::WhatsappWebService (the outbound provider) is another part of the
# gem. Until its file is on this branch, channels still need a provider service to be
# saved (Chatwoot validates provider_config and syncs templates on create): this minimal
# one answers those two calls. It is only defined when the real file is absent.
real = File.expand_path("../../../lib/waweb_native/app/services/whatsapp/providers/whatsapp_web_service.rb", __dir__)
unless File.exist?(real)
  module Whatsapp
    module Providers
      class WhatsappWebService < BaseService
        def validate_provider_config?
          true
        end

        def sync_templates
          whatsapp_channel.mark_message_templates_updated
        end

        def send_message(_to, _message)
          nil
        end
      end
    end
  end
end
