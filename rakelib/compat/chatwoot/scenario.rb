# frozen_string_literal: true

require "stringio"
require "digest"

module Compat
  module Chatwoot
    # bin/demo's steps against real Chatwoot over HTTP: users (rails runner), the inbox and
    # the management API through Chatwoot's routes, signed webhooks of every kind, agents'
    # replies through Chatwoot's messages API to the fake gateway, receipts. Every step is
    # checked on the records, read back through the probe or the API.
    class Scenario
      include HttpClient
      include ManagementSteps
      include ReplySteps
      include RetrySteps
      include ConnectionPageSteps
      include AgentActionSteps
      include SecondNumberSteps
      include HistoryImportSteps
      include DashboardSteps

      PHONE = "+6289600000001" # the fixtures' device
      CUSTOMER = "628123456789@s.whatsapp.net"
      WAIT = 45 # seconds for a Sidekiq job (the machine may be busy)

      attr_reader :t, :probe, :gateway, :services, :inbox_id, :secret, :account_id, :webhook_url

      def initialize(transcript:, services:, probe:, gateway:)
        @t = transcript
        @services = services
        @probe = probe
        @gateway = gateway
      end

      def host = services.url

      def run
        t.section("Chatwoot: users and inbox through its API")
        t.step("account, administrator and agent (rails runner)") { users }
        t.step("POST /api/v1/accounts/:id/inboxes (whatsapp_web)") { create_inbox }
        t.step("GET /api/v1/accounts/:id/inboxes lists it") { inbox_listed }
        management
        FixtureWebhooks.new(self).run if @secret
        replies
        agent_actions
        second_number
        history_import if inbox_b
        dashboard if DashboardBuild.enabled? && @secret
        Bench.new(self).run if ENV["WAWEB_COMPAT_BENCH"] == "1" && @secret # before the logout below
        connection_page
      end

      # Polls until the block gives a truthy value.
      def wait_for(what, timeout: WAIT)
        deadline = Time.now + timeout
        loop do
          value = yield
          return value if value
          raise StepFailed, "timed out after #{timeout} s waiting for #{what}" if Time.now > deadline

          sleep 0.25
        end
      end

      def admin_headers = { "api_access_token" => @admin["token"] }

      def deliver(body, signed: true)
        headers = signed ? { "X-Hub-Signature-256" => signature(@secret, body) } : {}
        request(:post, @webhook_url, json: body, headers: headers)
      end

      def message(source_id) = probe.call("message", inbox_id, source_id)
      def counts = probe.call("counts", inbox_id)

      private

      def users
        created = probe.call("setup_users", "Compat Inc")
        @account_id = created["account_id"]
        @admin = created["admin"]
        @agent = created["agent"]
        t.check(@admin["token"].to_s.size >= 20, "no access token")
        profile = json(request(:get, "#{host}/api/v1/profile", headers: admin_headers))
        t.check(profile["id"] == @admin["id"], "GET /api/v1/profile answered #{profile['id'].inspect}")
        "account #{@account_id}; the admin's token works on GET /api/v1/profile"
      end

      def create_inbox
        config = { api_base_url: gateway.url, basic_auth_username: gateway.username,
                   basic_auth_password: gateway.password }
        body = { name: "WhatsApp (compat)",
                 channel: { type: "whatsapp", phone_number: PHONE, provider: "whatsapp_web", provider_config: config } }
        @inbox_id = created_id(request(:post, "#{host}/api/v1/accounts/#{@account_id}/inboxes",
                                       headers: admin_headers, json: body))
        channel = probe.call("channel", @inbox_id)
        t.check(channel["provider"] == "whatsapp_web", "provider #{channel['provider'].inspect}")
        @secret = channel["provider_config"]["webhook_verify_token"].to_s
        t.check(@secret.match?(/\A\h{32}\z/), "no generated webhook secret")
        "inbox #{@inbox_id}: Channel::Whatsapp, provider whatsapp_web, secret generated"
      end

      def created_id(response)
        t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 300]}")
        json(response)["id"]
      end

      def inbox_listed
        list = json(request(:get, "#{host}/api/v1/accounts/#{@account_id}/inboxes", headers: admin_headers))
        ours = list["payload"].find { |i| i["id"] == inbox_id }
        t.check(ours, "the inbox is not listed")
        t.check(ours["provider"] == "whatsapp_web", "listed provider #{ours['provider'].inspect}")
        # Chatwoot shows provider_config to administrators only (its dashboard edits it there).
        t.check(ours.dig("provider_config", "api_base_url") == gateway.url, "config #{ours['provider_config']}")
        "provider whatsapp_web, provider_config as stored (administrators only, as Chatwoot does)"
      end
    end
  end
end
