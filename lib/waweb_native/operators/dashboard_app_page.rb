# frozen_string_literal: true

require "erb"
require "json"
require "yaml"

module WawebNative
  module Operators
    # Renders the Dashboard App page (GET /whatsapp_web/dashboard_app) from
    # lib/waweb_native/dashboard_app/: one self-contained document per language, with no data
    # of its own (no token, no inbox), so each is rendered once and kept.
    class DashboardAppPage
      DIR = File.expand_path("../dashboard_app", __dir__)

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

        # The page in a language (ours, or the default): the same bytes for every viewer.
        def html(locale)
          locale = ConnectPage::DEFAULT_LOCALE unless strings.key?(locale)
          @html ||= {}
          @html[locale] ||= new(locale: locale).render.freeze
        end
      end

      def initialize(locale:)
        @locale = self.class.strings.key?(locale) ? locale : ConnectPage::DEFAULT_LOCALE
      end

      def render
        self.class.template.result(binding)
      end

      private

      def t = self.class.strings.fetch(@locale)
      def h(text) = ERB::Util.html_escape(text.to_s)
      def js = self.class.js

      # The script's words, in this language and in every other (it switches to the viewer's
      # Chatwoot language once it knows it); no token: its calls use the viewer's own session.
      def config_json
        PageResponse.script_json({ strings: t, languages: self.class.strings })
      end
    end
  end
end
