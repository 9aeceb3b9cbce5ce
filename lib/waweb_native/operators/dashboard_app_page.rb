# frozen_string_literal: true

require "waweb_native/operators/page_source"

module WawebNative
  module Operators
    # Renders the Dashboard App page (GET /whatsapp_web/dashboard_app) from
    # lib/waweb_native/dashboard_app/: one self-contained document per language, with no data
    # of its own (no token, no inbox), so each is rendered once and kept.
    class DashboardAppPage
      DIR = File.expand_path("../dashboard_app", __dir__)
      extend PageSource
      include PageSource::Rendering

      class << self
        # The page in a language (ours, or the default): the same bytes for every viewer.
        def html(locale)
          locale = language(locale)
          @html ||= {}
          @html[locale] ||= new(locale: locale).render.freeze
        end
      end

      def initialize(locale:)
        @locale = self.class.language(locale)
      end

      private

      def js = self.class.asset("page.js")

      # The script's words, in this language and in every other (it switches to the viewer's
      # Chatwoot language once it knows it); no token: its calls use the viewer's own session.
      def config_json
        PageResponse.script_json({ strings: t, languages: self.class.strings })
      end
    end
  end
end
