# frozen_string_literal: true

require "waweb_native/operators/page_source"

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

      extend PageSource
      include PageSource::Rendering

      # accounts: the accounts the viewer administers; root: the app's script name ("" at the root).
      def initialize(accounts:, selected_account:, token:, locale:, root: "")
        @accounts = accounts
        @selected_account = selected_account
        @token = token
        @locale = self.class.language(locale)
        @root = root
      end

      private

      attr_reader :accounts, :selected_account

      def css = "#{ConnectPage.asset('page.css')}\n#{EXTRA_CSS}"
      def js = self.class.asset("page.js")

      def config_json
        PageResponse.script_json({ root: @root, token: @token, strings: t })
      end
    end
  end
end
