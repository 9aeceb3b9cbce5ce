# frozen_string_literal: true

module WawebNative
  module Operators
    # The setup page's "Create": checks the input and the gateway first, then creates the
    # Chatwoot inbox through Chatwoot's own models (Channel::Whatsapp, Inbox, InboxMember for
    # the administrator) and configures the gateway (GatewayConfiguration). Nothing is created
    # when the gateway is unreachable or refuses the credentials, or the number is taken; when
    # the gateway cannot be configured (pre-v9, a webhook set elsewhere) the inbox exists and
    # the answer says what is left to do.
    class InboxSetup
      KEYS = %w[api_base_url basic_auth_username basic_auth_password device_id].freeze
      # Further choices of the setup page, each an input with data-field="<name>" in the page's
      # #setup-options. import_days: days of history to bring in after the first login
      # (WawebNative::History.start_after_login reads it from provider_config; 0 = none).
      OPTION_KEYS = %w[import_days].freeze
      MAX_IMPORT_DAYS = 365

      # [HTTP status, body]. body: {inbox_id:, connect_url:, gateway: {...}} or {error:, kind:}.
      def initialize(account:, user:, params:, frontend_url:)
        @account = account
        @user = user
        @params = params.to_h.transform_keys(&:to_s)
        @frontend_url = frontend_url
      end

      def call
        problem = input_problem || phone_taken || gateway_problem
        return problem if problem

        inbox = create_inbox
        connection = Connection.new(inbox, frontend_url: @frontend_url)
        body = { inbox_id: inbox.id, account_id: @account.id, name: inbox.name, phone_number: phone,
                 connect_url: "#{@frontend_url.to_s.chomp('/')}/whatsapp_web/inboxes/#{inbox.id}/connect",
                 gateway: configure(connection) }
        [201, after_create(inbox, body)]
      rescue ActiveRecord::RecordInvalid => e
        [422, error("Chatwoot refused the inbox: #{e.record.errors.full_messages.join(', ')}.", "invalid_input")]
      end

      # What the options ask for, once the inbox exists and the gateway is configured; adds to the
      # answer's body. Nothing yet: the place for options such as a history import.
      def after_create(_inbox, body) = body

      def options = @params.slice(*OPTION_KEYS)

      private

      def name = @params["name"].to_s.strip
      def digits = @params["phone_number"].to_s.delete("^0-9")
      def phone = "+#{digits}"

      def config
        values = @params.slice(*KEYS).transform_values { |v| v.to_s.strip }.reject { |_, v| v.empty? }
        values["api_base_url"] = values["api_base_url"].chomp("/") if values["api_base_url"]
        values["import_days"] = import_days if import_days.is_a?(Integer) && import_days.positive?
        values
      end

      # nil when not given; :invalid unless a whole number of days from 0 to MAX_IMPORT_DAYS.
      def import_days
        raw = @params["import_days"].to_s.strip
        return nil if raw.empty?
        return :invalid unless raw.match?(/\A\d{1,3}\z/) && raw.to_i <= MAX_IMPORT_DAYS

        raw.to_i
      end

      def input_problem
        return invalid("Give the inbox a name.") if name.empty?
        unless digits.length.between?(8, 15) && !digits.start_with?("0")
          return invalid("Give the WhatsApp number in international format (country code first), e.g. +5511987654321.")
        end
        return invalid("Give the gateway's URL, e.g. http://gowa:3000.") if config["api_base_url"].nil?
        if import_days == :invalid
          return invalid("Give the days of history to import as a whole number from 0 to #{MAX_IMPORT_DAYS}.")
        end

        nil
      end

      def phone_taken
        taken = ::Channel::Whatsapp.where(phone_number: [phone, digits]).first
        return nil if taken.nil?

        where = taken.account_id == @account.id && taken.inbox ? "inbox \"#{taken.inbox.name}\"" : "another inbox"
        [422, error("The number #{phone} is already used by #{where} in this Chatwoot. Use that inbox, or remove " \
                    "it first.", "phone_taken")]
      end

      # Reachable and credentials accepted, before anything is created.
      def gateway_problem
        test = ConfigTest.new(config).call
        return [502, error(test[:error], "unreachable")] if test[:reachable] == false
        return [502, error(test[:error], "bad_credentials")] if test[:credentials_valid] == false

        nil
      end

      def create_inbox
        GatewayConfiguration.without_automatic do
          ActiveRecord::Base.transaction do
            channel = ::Channel::Whatsapp.create!(account: @account, phone_number: phone,
                                                  provider: WawebNative::Chatwoot::PROVIDER, provider_config: config)
            inbox = ::Inbox.create!(account: @account, channel: channel, name: name)
            inbox.inbox_members.create!(user: @user) if inbox.respond_to?(:inbox_members)
            inbox
          end
        end
      end

      # The inbox exists from here on: a failure is reported as what is left to do.
      def configure(connection)
        result = connection.configure_gateway
        body = result.to_h
        body[:flags] = connection.gateway_flags if result.state == :too_old
        body
      rescue WawebNative::Gateway::Error => e
        { configured: false, state: "error", message: "#{connection.explain(e)} The inbox was created: configure " \
                                                      "the gateway from its connection page once it answers." }
      end

      def error(sentence, kind) = { error: sentence, kind: kind }
      def invalid(sentence) = [422, error(sentence, "invalid_input")]
    end
  end
end
