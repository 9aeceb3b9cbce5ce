# frozen_string_literal: true

require "English"

namespace :bench do
  desc "Load run: 10,000 signed webhooks at concurrency 32 into Puma + Sidekiq + PostgreSQL, then verify " \
       "(bench/load/run.rb; WAWEB_LOAD_* to resize)"
  task load: :compile do
    root = File.expand_path("..", __dir__)
    unless ENV["DATABASE_URL"] && ENV["REDIS_URL"]
      # bin/services starts PostgreSQL and Redis (idempotent) and prints `export NAME=value` lines.
      `#{File.join(root, "bin/services")}`.scan(/^export (.+)$/).each do |(assignments)|
        assignments.split.each do |pair|
          name, value = pair.split("=", 2)
          ENV[name] = value
        end
      end
      raise "bin/services failed" unless $CHILD_STATUS.success?
    end
    ruby File.join(root, "bench/load/run.rb")
  end
end
