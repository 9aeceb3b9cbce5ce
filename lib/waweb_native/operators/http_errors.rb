# frozen_string_literal: true

module WawebNative
  module Operators
    # A gateway failure as the management API answers it: an HTTP status and the
    # provider's actionable sentence. Shared by the API controller and the page's JSON.
    module HttpErrors
      ALREADY_LOGGED_IN = "WhatsApp is already logged in on this gateway. Log out first to link another phone."

      module_function

      # [status, {error:, kind:}]
      def for(error, connection)
        gateway = WawebNative::Gateway
        case error
        when WawebNative::Outbound::InvalidConfig then [422, body(error.message, "invalid_config")]
        when gateway::NotLoggedInError then [409, body(connection.explain(error), "not_connected")]
        when gateway::AuthenticationError then [502, body(connection.explain(error), "bad_credentials")]
        when gateway::ConnectionError, gateway::TimeoutError then [502, body(connection.explain(error), "unreachable")]
        when gateway::RateLimitedError then [429, body(error.message, "rate_limited")]
        when gateway::RequestError then rejected(error, connection)
        else [502, body(connection.explain(error), "gateway_error")]
        end
      end

      def rejected(error, connection)
        return [409, body(ALREADY_LOGGED_IN, "already_logged_in")] if error.code == "ALREADY_LOGGED_IN"

        [422, body("The gateway refused: #{connection.explain(error)}", "rejected")]
      end

      # [status, body] for a GatewayConfiguration::Result: 200 when configured, else what to do.
      def for_configuration(result, connection)
        case result.state
        when :configured then [200, result.to_h]
        when :elsewhere then [409, body(result.message, "webhook_elsewhere").merge(current_url: result.current_url)]
        when :too_old then [422, body(result.message, "gateway_too_old").merge(flags: connection.gateway_flags)]
        else [502, body("The gateway did not keep the webhook settings: #{result.message}", "not_confirmed")]
        end
      end

      def body(sentence, kind) = { error: sentence, kind: kind }
    end
  end
end
