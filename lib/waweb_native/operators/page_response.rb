# frozen_string_literal: true

require "json"

module WawebNative
  module Operators
    # What the operators' self-contained pages (connection, setup) share: the headers of a
    # page that embeds the viewer's token, the one-line refusal page, and JSON that is safe
    # inside a <script> element. Included by their controllers and page builders. The
    # Dashboard App page, which embeds no token, uses only the common script and the JSON.
    module PageResponse
      COMMON_JS_PATH = File.expand_path("../operators_page/common.js", __dir__)

      # The script the pages load before their own (window.WawebPage: token out of the
      # address bar, "%{name}" formatting, JSON calls with the token).
      def self.common_js
        @common_js ||= File.read(COMMON_JS_PATH).freeze
      end

      # JSON inside <script>: escape what could close the element or start markup.
      def self.script_json(data)
        JSON.generate(data)
            .gsub("<", "\\u003c").gsub(">", "\\u003e").gsub("&", "\\u0026")
            .gsub("\u2028", "\\u2028").gsub("\u2029", "\\u2029")
      end

      private

      # The page embeds the viewer's token: never cache it, never leak the URL in a Referer.
      def waweb_html(status, html)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        render body: html, status: status, content_type: "text/html"
      end

      # A refusal as a page of one sentence, in the viewer's language.
      def waweb_sentence_page(status, strings, key)
        text = ERB::Util.html_escape(strings[key])
        waweb_html(status, "<!DOCTYPE html><html lang=\"#{strings['lang']}\"><meta charset=\"utf-8\">" \
                           "<title>#{text}</title><p>#{text}</p></html>")
      end
    end
  end
end
