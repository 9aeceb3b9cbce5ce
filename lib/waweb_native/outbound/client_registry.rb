# frozen_string_literal: true

module WawebNative
  module Outbound
    # The channel's provider_config cannot build a client (e.g. api_base_url is not an
    # http(s) URL, or carries credentials). A Gateway::Error so callers rescue one family.
    class InvalidConfig < WawebNative::Gateway::Error; end

    # Chatwoot builds a new provider service for every call (channel.provider_service), so
    # the gateway client lives here, one per channel, and survives between sends: its
    # kept-alive connections are the point. A changed config (URL, credentials, device,
    # timeouts) builds a new client; the old one is dropped to the GC.
    module ClientRegistry
      @clients = {}
      @lock = Mutex.new

      class << self
        # key: a stable identity of the channel (nil for an unsaved channel: never cached).
        # settings: the keyword arguments for Gateway::Client.new.
        def fetch(key, settings)
          return build(settings) if key.nil?

          @lock.synchronize do
            cached = @clients[key]
            return cached[1] if cached && cached[0] == settings

            client = build(settings)
            @clients[key] = [settings.dup.freeze, client]
            client
          end
        end

        def size
          @lock.synchronize { @clients.size }
        end

        def clear
          @lock.synchronize { @clients.clear }
        end

        private

        def build(settings)
          WawebNative::Gateway::Client.new(**settings)
        end
      end
    end
  end
end
