# frozen_string_literal: true

require "rails/engine"
require_relative "chatwoot"
require_relative "inbound"
require_relative "outbound"
require_relative "operators"
require_relative "history"

module WawebNative
  # Loaded by `require "waweb_native"` inside a Rails app (Chatwoot). Chatwoot has no
  # plugin API, so the engine adds the gem's glue classes (lib/waweb_native/app/*:
  # controllers, services, jobs) to the host's autoloader, appends the webhook route,
  # ships the gem's migrations, and prepends the named hook modules of
  # lib/waweb_native/chatwoot on every to_prepare (boot and each reload).
  class Engine < ::Rails::Engine
    # The engine lives in lib/waweb_native: its app/ and db/migrate are there.
    config.root = __dir__

    initializer "waweb_native.migrations" do |app|
      # The host migrates the gem's tables with its own `db:migrate`; no install step.
      ours = paths["db/migrate"].existent
      host = app.config.paths["db/migrate"]
      host.concat(ours - host.to_a) unless app.root.to_s == root.to_s
    end

    # The webhook is answered before the request log and routing (see WebhookMiddleware);
    # the route below serves the same controller logic where this middleware is absent.
    initializer "waweb_native.webhook_middleware" do |app|
      app.config.middleware.insert_after ActionDispatch::RemoteIp, WawebNative::Inbound::WebhookMiddleware
    end

    initializer "waweb_native.routes" do |app|
      app.routes.append do
        post "webhooks/whatsapp_web/:phone_number",
             to: "webhooks/whatsapp_web#process_payload",
             constraints: { phone_number: %r{[^/]+} },
             as: :waweb_whatsapp_web_webhook
        # Gateway-wide: one URL for every number of a gateway (its global WHATSAPP_WEBHOOK);
        # the envelope's device decides the inbox (WawebNative::Inbound::EventRouter).
        post "webhooks/whatsapp_web", to: "webhooks/whatsapp_web#process_payload",
                                      as: :waweb_whatsapp_web_gateway_webhook
      end
    end

    # The operators' management API and connection page (WawebNative::Operators).
    initializer "waweb_native.operator_routes" do |app|
      app.routes.append { WawebNative::Operators.draw_routes(self) }
      # The connection page accepts ?token=: keep it out of the request log lines.
      app.config.filter_parameters |= [:token]
    end

    # The gateway password and the webhook secret travel in provider_config params (the
    # management API, Chatwoot's inbox endpoints): keep them out of the request log lines
    # even on a host whose filter list would miss them.
    initializer "waweb_native.filter_parameters" do |app|
      app.config.filter_parameters |= %i[basic_auth_password webhook_verify_token]
    end

    # Sidekiq loses the jobs of a process that was killed: at each Sidekiq start, history
    # imports left queued or running get their job again (it resumes from their cursor).
    initializer "waweb_native.history_resume" do |app|
      next unless defined?(::Sidekiq) && ::Sidekiq.respond_to?(:configure_server)

      ::Sidekiq.configure_server do |config|
        config.on(:startup) { app.executor.wrap { WawebNative::History.resume_interrupted } }
      end
    end

    rake_tasks do
      load File.expand_path("tasks/waweb.rake", __dir__)
    end

    config.to_prepare do
      WawebNative::Chatwoot.install!
    end
  end
end
