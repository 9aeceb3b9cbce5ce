# frozen_string_literal: true

# The host app on a real Puma server on loopback (random port), for end-to-end specs and
# benches. Requests run on Puma's threads: use it in `:truncation` examples. Included by rails_helper.
module HostServerHelper
  # Yields the base URL ("http://127.0.0.1:<port>"); the server stops when the block returns.
  def with_puma_host(threads: 4, app: Rails.application)
    require "puma"
    require "puma/server"
    server = Puma::Server.new(app, nil, min_threads: 1, max_threads: threads, log_writer: puma_log_writer)
    server.add_tcp_listener("127.0.0.1", 0)
    server.run
    yield "http://127.0.0.1:#{server.connected_ports.first}"
  ensure
    server&.stop(true)
  end

  private

  def puma_log_writer
    Puma::LogWriter.new(StringIO.new, StringIO.new)
  end
end
