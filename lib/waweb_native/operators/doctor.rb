# frozen_string_literal: true

require "time"

module WawebNative
  module Operators
    # `rake waweb:doctor[inbox_id]`: every reason an inbox may not work, one line per check,
    # each failing line saying what to do. Never prints a secret.
    class Doctor
      CLOCK_TOLERANCE = 30 # seconds

      Check = Struct.new(:name, :state, :detail) do
        def to_s = format("[%<state>-4s] %<name>s: %<detail>s", state: state.to_s.upcase, name: name, detail: detail)
        def failed? = state == :fail
      end

      def initialize(connection, now: -> { Time.now })
        @connection = connection
        @now = now
      end

      # Array of Check; `ok?` is true when none failed (warnings allowed).
      def checks
        @checks ||= run
      end

      def ok? = checks.none?(&:failed?)
      def report = checks.map(&:to_s)

      private

      def run
        list = gateway_checks
        list << secret_check
        list << webhook_check
        list << clock_check
        list << history_check
        list << read_receipts_check
        list
      end

      # The history import (WawebNative::History): never a failure, the inbox works without it.
      def history_check
        status = WawebNative::History.status(@connection.inbox)
        none = "none (WawebNative.import_history(inbox, days: 7) starts one)"
        return check("history import", :skip, none) unless status

        progress = "#{status[:chats_done]}/#{status[:chats_total] || '?'} chats, #{status[:messages]} messages"
        case status[:state]
        when "done" then check("history import", :ok, "done: #{progress}, finished #{status[:finished_at]}")
        when "failed"
          check("history import", :warn, "stopped at #{progress}: #{status[:error]} Run it again to resume: " \
                                         "rake \"waweb:import[#{@connection.inbox.id},#{days}]\"")
        else check("history import", :ok, "#{status[:state]}: #{progress}, started #{status[:started_at]}")
        end
      end

      def days
        WawebNative::History::ImportState.find_by(inbox_id: @connection.inbox.id)&.days || 7
      end

      # Reachability, credentials and login from one GET /app/status.
      def gateway_checks
        url = @connection.gateway_url
        @response = client.get("/app/status")
        results = @response.results || {}
        logged_in = results["is_logged_in"] == true
        [check("gateway", :ok, "reachable at #{url}"), check("credentials", :ok, "Basic Auth accepted"),
         login_check(logged_in, results["device_id"])]
      rescue WawebNative::Gateway::NotLoggedInError
        [check("gateway", :ok, "reachable at #{url}"), check("credentials", :ok, "Basic Auth accepted"),
         login_check(false, nil)]
      rescue WawebNative::Gateway::AuthenticationError => e
        [check("gateway", :ok, "reachable at #{url}"), check("credentials", :fail, explain(e)),
         check("login", :skip, "unknown until the credentials are accepted")]
      rescue WawebNative::Gateway::Error => e
        [check("gateway", :fail, "#{explain(e)} Start the gateway or fix api_base_url in the inbox's provider_config."),
         check("credentials", :skip, "unknown until the gateway answers"),
         check("login", :skip, "unknown until the gateway answers")]
      end

      def login_check(logged_in, device)
        return check("login", :ok, "WhatsApp is logged in#{" as #{device}" if device}") if logged_in

        check("login", :fail, "#{WawebNative::Outbound::Failure::NOT_CONNECTED} " \
                              "(or run WawebNative.login_qr(inbox) in the console)")
      end

      def secret_check
        problem = @connection.webhook_secret_problem
        return check("webhook secret", :fail, problem) if problem

        check("webhook secret", :ok, "set (not the gateway's default); the gateway must use the same " \
                                     "--webhook-secret: rake waweb:webhook_url[#{@connection.inbox.id}]")
      end

      # The device's own webhook (GOWA v9+): a warning when it is not this inbox's, since a
      # gateway started with the flags (waweb:webhook_url) works as well.
      def webhook_check
        result = GatewayConfiguration.new(@connection).check
        return check("gateway webhook", :ok, result.message) if result.configured?

        task = "rake \"waweb:configure_gateway[#{@connection.inbox.id}]\""
        check("gateway webhook", :warn,
              "#{result.message}. Run #{task} or the connection page's \"Configure the gateway for me\"")
      rescue WawebNative::Gateway::Error => e
        check("gateway webhook", :skip, "unknown: #{explain(e)}")
      end

      def clock_check
        date = clock_response&.headers&.fetch("date", nil)
        return check("clock", :skip, "the gateway's answer had no Date header to compare") if date.to_s.empty?

        skew = (@now.call - Time.httpdate(date)).round
        if skew.abs <= CLOCK_TOLERANCE
          return check("clock", :ok,
                       "the gateway's clock and ours agree (#{skew.abs} s apart)")
        end

        check("clock", :warn, "the gateway's clock is #{skew.abs} s #{skew.positive? ? 'behind' : 'ahead of'} ours: " \
                              "timestamps of messages will be off. Sync both machines with NTP.")
      rescue ArgumentError
        check("clock", :skip, "the gateway's Date header is not a date: #{date.to_s[0, 40]}")
      end

      # A setting, not a fault: says which way it is and how to change it.
      def read_receipts_check
        if @connection.mark_read?
          check("read receipts", :ok, "on: opening a conversation marks its messages read on the phone " \
                                      "(provider_config mark_read false turns it off)")
        else
          check("read receipts", :ok, "off (provider_config mark_read is false): customers see no blue ticks")
        end
      end

      # The status answer when there was one, else any answer the gateway gives without login.
      def clock_response
        @response || client.get("/app/devices")
      rescue WawebNative::Gateway::Error
        nil
      end

      def client = @connection.provider.client
      def explain(error) = @connection.explain(error)
      def check(name, state, detail) = Check.new(name, state, detail)
    end
  end
end
