# frozen_string_literal: true

require "erb"
require "yaml"

module WawebNative
  module Operators
    # What each operators' page (connection, setup, Dashboard App) reads from its folder
    # under lib/waweb_native (the page class's DIR): its words per language (i18n.yml, the
    # same keys in each), its ERB template and its other files, each read once per process.
    # Extended by the page classes; Rendering is included for the template's helpers.
    module PageSource
      def strings
        @strings ||= YAML.safe_load_file(File.join(self::DIR, "i18n.yml")).freeze
      end

      def template
        @template ||= ERB.new(File.read(File.join(self::DIR, "page.html.erb")), trim_mode: "<>")
      end

      def asset(name)
        @assets ||= {}
        @assets[name] ||= File.read(File.join(self::DIR, name)).freeze
      end

      # The language for a browser's Accept-Language, as the connection page picks it (its
      # own definition of this method is the one every page follows).
      def locale_for(accept_language) = ConnectPage.locale_for(accept_language)

      # One of this page's languages: the one asked for, else the default.
      def language(locale) = strings.key?(locale) ? locale : ConnectPage::DEFAULT_LOCALE

      # The template's helpers: t (this page's words in @locale), h (HTML escaping).
      module Rendering
        def render
          self.class.template.result(binding)
        end

        private

        def t = self.class.strings.fetch(@locale)
        def h(text) = ERB::Util.html_escape(text.to_s)
      end
    end
  end
end
