# frozen_string_literal: true

module WawebNative
  module Inbound
    # The name a new contact gets from a message: the gateway's sender_display_name (v9.1+:
    # the name the phone's owner saved for this person, else their push name, else their
    # number) when it is a name, else the sender's own push name. ContactResolver only ever
    # gives it to a contact still without a real name, so an agent's edit stays.
    module ContactName
      NUMBER_ONLY = /\A[+\d\s().-]*\z/

      module_function

      def for(event)
        display = event.respond_to?(:display_name) ? event.display_name.to_s.strip : ""
        name?(display) ? display : event.push_name
      end

      # Not blank, not just a phone number, not a JID.
      def name?(text)
        !text.empty? && !text.match?(NUMBER_ONLY) && !text.match?(/\A\S+@\S+\z/)
      end
    end
  end
end
