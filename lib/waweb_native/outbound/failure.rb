# frozen_string_literal: true

require "uri"

module WawebNative
  module Outbound
    # Turns a gateway error into the sentence an agent reads under a failed message
    # (content_attributes['external_error']). Each one says what to do next; none
    # contains the Basic Auth password (the URL is shown without any userinfo).
    module Failure
      NOT_CONNECTED = "WhatsApp is not connected. Scan the QR code again on the connection page."
      BAD_CREDENTIALS = "The gateway refused the credentials. Check the Basic Auth username and password."
      UNREACHABLE = "Cannot connect to the WhatsApp gateway at %<url>s."

      module_function

      def sentence(error, base_url)
        gateway = WawebNative::Gateway
        case error
        # NotLoggedIn first: a client may model it as a kind of authentication failure.
        when gateway::NotLoggedInError then NOT_CONNECTED
        when gateway::AuthenticationError then BAD_CREDENTIALS
        when gateway::ConnectionError, gateway::TimeoutError then format(UNREACHABLE, url: display_url(base_url))
        else gateway_message(error)
        end
      end

      # A reply that failed after some of its parts reached WhatsApp: what the customer has,
      # what they do not, and why. delivered/missing: what each part is called ("the text",
      # a file name, "the location"). Chatwoot's retry sends only the missing ones.
      def partial(delivered, missing, reason)
        reason = reason.to_s.strip
        reason += "." unless reason.end_with?(".", "!", "?")
        "#{sentence_case(listing(delivered))} #{verb(delivered)} delivered; #{listing(missing)} #{verb(missing)} " \
          "not: #{reason} Retry sends only what is missing."
      end

      def listing(names)
        names.size <= 1 ? names.join : "#{names[0..-2].join(', ')} and #{names.last}"
      end

      def verb(names) = names.size == 1 ? "was" : "were"

      # "the text" opens a sentence capitalised; a file name stays as the agent named it.
      def sentence_case(text) = text.start_with?("the ") ? text.sub("the", "The") : text

      # The gateway's own words (RequestError, ServerError, RateLimitedError, malformed answers).
      def gateway_message(error)
        text = error.respond_to?(:gateway_message) ? error.gateway_message : nil
        text = error.message if text.nil? || text.to_s.strip.empty?
        text.to_s
      end

      def display_url(base_url)
        uri = URI.parse(base_url.to_s)
        uri.user = nil
        uri.password = nil
        uri.to_s.chomp("/")
      rescue URI::InvalidURIError
        base_url.to_s.sub(%r{//[^/@]*@}, "//").chomp("/")
      end
    end
  end
end
