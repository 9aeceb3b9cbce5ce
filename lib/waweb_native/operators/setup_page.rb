# frozen_string_literal: true

require "erb"
require "json"
require "yaml"

module WawebNative
  module Operators
    # Renders the setup page (GET /whatsapp_web/setup): one self-contained HTML document from
    # lib/waweb_native/setup_page/ (the connection page's stylesheet, inline; no assets).
    class SetupPage
      DIR = File.expand_path("../setup_page", __dir__)
      EXTRA_CSS = ".setup label { margin-top: 6px; } .setup input, .setup select { flex: 1 1 100%; } " \
                  "select { padding: 8px; border: 1px solid #c5ced8; border-radius: 6px; font: inherit; } " \
                  ".options { border: 0; padding: 0; margin: 0; width: 100%; } .options:empty { display: none; } " \
                  ".actions { display: flex; gap: 8px; margin-top: 8px; } .checks { list-style: none; padding: 0; }"

      class << self
        def strings
          @strings ||= YAML.safe_load_file(File.join(DIR, "i18n.yml")).freeze
        end

        def template
          @template ||= ERB.new(File.read(File.join(DIR, "page.html.erb")), trim_mode: "<>")
        end

        def js
          @js ||= File.read(File.join(DIR, "page.js")).freeze
        end

        def locale_for(accept_language)
          ConnectPage.locale_for(accept_language)
        end
      end

      # accounts: the accounts the viewer administers; root: the app's script name ("" at the root).
      def initialize(accounts:, selected_account:, token:, locale:, root: "")
        @accounts = accounts
        @selected_account = selected_account
        @token = token
        @locale = self.class.strings.key?(locale) ? locale : ConnectPage::DEFAULT_LOCALE
        @root = root
      end

      def render
        self.class.template.result(binding)
      end

      private

      attr_reader :accounts, :selected_account

      def t = self.class.strings.fetch(@locale)
      def h(text) = ERB::Util.html_escape(text.to_s)
      def css = "#{ConnectPage.asset('page.css')}\n#{EXTRA_CSS}"
      def js = self.class.js

      def config_json
        PageResponse.script_json({ root: @root, token: @token, strings: t })
      end
    end
  end
end
