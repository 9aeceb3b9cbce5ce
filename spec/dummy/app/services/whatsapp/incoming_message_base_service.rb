# frozen_string_literal: true

module Whatsapp
  # Stand-in: Chatwoot parses Meta's payload here. The host only records what it was given,
  # so specs can see which service a webhook reached.
  class IncomingMessageBaseService
    @processed = Concurrent::Array.new
    class << self
      attr_reader :processed
    end

    def initialize(inbox:, params:)
      @inbox = inbox
      @params = params
    end

    def perform
      IncomingMessageBaseService.processed << [self.class.name, inbox.id, params]
      Rails.logger.info("#{self.class.name}: payload for inbox #{inbox.id}")
    end

    private

    attr_reader :inbox, :params
  end
end
