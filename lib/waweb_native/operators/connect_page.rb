# frozen_string_literal: true

require "yaml"
require "waweb_native/operators/page_source"

module WawebNative
  module Operators
    # Renders the connection page: one self-contained HTML document (CSS and JS inline,
    # no asset pipeline, no build step) from lib/waweb_native/connect_page/.
    class ConnectPage
      DIR = File.expand_path("../connect_page", __dir__)
      DEFAULT_LOCALE = "en"
      POLL_MS = 2_000

      extend PageSource
      include PageSource::Rendering

      class << self
        # The page's words and its configure panel's, in one table per language.
        def strings
          @strings ||= begin
            base = YAML.safe_load_file(File.join(DIR, "i18n.yml"))
            extra = YAML.safe_load_file(File.join(DIR, "configure_i18n.yml"))
            base.to_h { |locale, words| [locale, words.merge(extra.fetch(locale, {}))] }.freeze
          end
        end

        # The best of our languages for an Accept-Language header ("pt-BR,pt;q=0.9,en;q=0.8").
        def locale_for(accept_language)
          ranked = accept_language.to_s.split(",").each_with_index.filter_map do |part, index|
            tag, q = language_range(part)
            [tag, q, index] if tag && q.positive?
          end
          best = ranked.sort_by { |_, q, index| [-q, index] }.find { |tag, _, _| ours(tag) }
          best ? ours(best.first) : DEFAULT_LOCALE
        end

        private

        def ours(tag)
          if tag.start_with?("pt") then "pt-BR"
          elsif tag.start_with?("en") then "en"
          end
        end

        # "pt;q=0.9" -> ["pt", 0.9]; a range without q has weight 1.
        def language_range(part)
          tag, *options = part.strip.downcase.split(";").map(&:strip)
          return nil if tag.nil? || tag.empty?

          weight = options.find { |o| o.start_with?("q=") }
          [tag, weight ? weight.delete_prefix("q=").to_f : 1.0]
        end
      end

      # connection: an Operators::Connection; api_base: the management API path of the inbox;
      # token: the viewer's access token, which the page's fetch calls send.
      def initialize(connection:, api_base:, token:, locale:, poll_ms: POLL_MS)
        @connection = connection
        @api_base = api_base
        @token = token
        @locale = self.class.language(locale)
        @poll_ms = poll_ms
      end

      private

      def css = self.class.asset("page.css")
      def js = self.class.asset("page.js")
      def configure_js = self.class.asset("configure.js")
      def inbox_name = @connection.inbox.name
      def phone_number = @connection.channel.phone_number
      def webhook_url = @connection.webhook_url
      def webhook_secret = @connection.webhook_secret
      def flags = @connection.gateway_flags
      def env = @connection.gateway_env
      def mark_read? = @connection.mark_read?

      def secret_warning
        return t["secret_blank"] if webhook_secret.strip.empty?

        t["secret_default"] if webhook_secret == Connection::DEFAULT_GATEWAY_SECRET
      end

      def config_json
        PageResponse.script_json({ apiBase: @api_base, token: @token, pollMs: @poll_ms, strings: t })
      end
    end
  end
end
