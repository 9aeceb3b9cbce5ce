# frozen_string_literal: true

module Messages
  # Where Chatwoot refuses read -> delivered (the model itself accepts any status).
  class StatusUpdateService
    def initialize(message, status, external_error = nil)
      @message = message
      @status = status.to_s
      @external_error = external_error
    end

    def perform # rubocop:disable Naming/PredicateMethod -- Chatwoot's name; true when the status moved
      return false unless valid_status_transition?

      attrs = { status: status }
      attrs[:external_error] = external_error if status == "failed" && external_error.present?
      message.update!(attrs)
      true
    end

    private

    attr_reader :message, :status, :external_error

    def valid_status_transition?
      return false unless Message.statuses.key?(status)
      return false if message.read? && status == "delivered"

      true
    end
  end
end
