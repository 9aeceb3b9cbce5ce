# frozen_string_literal: true

module WhatsappWeb
  # An agent deleted one of our messages: delete it for everyone on WhatsApp
  # (WawebNative::Outbound::Revocation). A gateway that is down or failing is tried again a
  # few times (revoking twice is harmless); after that, and at once for a refusal, the
  # message carries a note saying it was deleted here only.
  class RevokeMessageJob < ActiveJob::Base
    queue_as :high

    ATTEMPTS = 3
    RETRIED = [WawebNative::Gateway::ConnectionError, WawebNative::Gateway::TimeoutError,
               WawebNative::Gateway::ServerError, WawebNative::Gateway::NotLoggedInError,
               WawebNative::Gateway::AuthenticationError, WawebNative::Gateway::RateLimitedError,
               WawebNative::Gateway::MalformedResponseError, WawebNative::Outbound::InvalidConfig].freeze

    retry_on(*RETRIED, wait: 20.seconds, attempts: ATTEMPTS) do |job, error|
      message = ::Message.find_by(id: job.arguments.first)
      if message
        target = WawebNative::Outbound::AgentChat.for(message.conversation)
        WawebNative::Outbound::Revocation.refused(message, target, error)
      end
    end

    # ids: every WhatsApp id the message went out as (Outbound::SentIds, read before
    # Chatwoot's delete replaced content_attributes); none: its source_id.
    def perform(message_id, *ids)
      message = ::Message.find_by(id: message_id)
      return if message.nil?

      WawebNative::Outbound::Revocation.revoke!(message, ids)
    end
  end
end
