# frozen_string_literal: true

# Chatwoot keeps "this channel needs reauthorization" outside the row (in Redis); so does the host.
module Reauthorizable
  extend ActiveSupport::Concern

  def reauthorization_required?
    Sidekiq.redis { |r| r.call("GET", reauthorization_required_key) }.present?
  end

  def prompt_reauthorization!
    Sidekiq.redis { |r| r.call("SET", reauthorization_required_key, "true") }
  end

  def reauthorized!
    Sidekiq.redis { |r| r.call("DEL", reauthorization_required_key) }
  end

  private

  def reauthorization_required_key
    "REAUTHORIZATION_REQUIRED:#{self.class.table_name}:#{id}"
  end
end
