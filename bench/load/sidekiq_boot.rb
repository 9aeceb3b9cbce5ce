# frozen_string_literal: true

# What the load run's Sidekiq process loads (-r): the host, plus a server middleware
# counting finished job attempts in Redis, so the run knows exactly when the queue has
# drained (Sidekiq's own busy/processed figures only reach Redis at each heartbeat).
require_relative "../../spec/dummy/config/environment"

module LoadBench
  DONE_KEY = "waweb:load:done"

  class DoneCounter
    include Sidekiq::ServerMiddleware

    def call(_worker, _job, _queue)
      yield
    ensure
      redis { |r| r.call("INCR", DONE_KEY) }
    end
  end
end

Sidekiq.configure_server do |config|
  config.server_middleware { |chain| chain.add LoadBench::DoneCounter }
end
