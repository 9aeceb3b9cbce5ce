# frozen_string_literal: true

require "open3"
require "socket"
require "tmpdir"
require_relative "../support/private_redis"

# bin/services beside other programs: the usual ports may be taken (by anything, or by
# another checkout's Redis, which must not be mistaken for ours), a second call must print
# the same environment, and `stop` ends what was started.
RSpec.describe "bin/services" do
  let(:script) { File.expand_path("../../bin/services", __dir__) }
  let(:state) { Dir.mktmpdir("waweb-services-spec-") }
  let(:other_program) { TCPServer.new("127.0.0.1", 0) }
  let(:other_redis) { PrivateRedis.new.start }

  after do
    Open3.capture2e({ "WAWEB_SERVICES_DIR" => state }, script, "stop")
    other_redis.stop
    other_program.close
    FileUtils.rm_rf(state)
  end

  def services(*args, pg_port: nil, redis_port: nil)
    env = { "WAWEB_SERVICES_DIR" => state, "WAWEB_PG_PORT" => pg_port&.to_s, "WAWEB_REDIS_PORT" => redis_port&.to_s }
    out, err, status = Open3.capture3(env, script, *args)
    raise "bin/services failed: #{err}" unless status.success?

    [out.scan(/^export (.*)$/).flatten.flat_map(&:split).to_h { |pair| pair.split("=", 2) }, err]
  end

  def port_of(url) = URI(url).port
  def listening?(port) = TCPSocket.new("127.0.0.1", port).close.nil?

  def redis_answers?(port)
    socket = TCPSocket.new("127.0.0.1", port)
    socket.write("PING\r\n")
    socket.gets&.start_with?("+PONG")
  rescue SystemCallError
    false
  ensure
    socket&.close
  end

  it "uses free ports when the usual ones are taken, says which, reuses its own pair, and stops it" do
    taken_pg = other_program.addr[1]
    taken_redis = other_redis.port
    env, err = services(pg_port: taken_pg, redis_port: taken_redis)

    pg = port_of(env.fetch("DATABASE_URL"))
    redis = port_of(env.fetch("REDIS_URL"))
    expect(err).to include("port #{taken_pg} is taken by another program: PostgreSQL uses #{pg}")
    expect(err).to include("port #{taken_redis} is taken by another program: Redis uses #{redis}")
    expect([pg, redis]).not_to include(taken_pg, taken_redis)
    expect(env).to include("WAWEB_PG_PORT" => pg.to_s, "WAWEB_REDIS_PORT" => redis.to_s,
                           "WAWEB_SERVICES_STARTED" => "pg,redis")
    expect(listening?(pg)).to be(true)
    expect(redis_answers?(redis)).to be(true)

    again, err = services(pg_port: taken_pg, redis_port: taken_redis)
    expect(again.slice("DATABASE_URL", "REDIS_URL")).to eq(env.slice("DATABASE_URL", "REDIS_URL"))
    expect(again["WAWEB_SERVICES_STARTED"]).to eq("")
    expect(err).to eq("")

    services("stop", "pg,redis")
    expect { listening?(pg) }.to raise_error(Errno::ECONNREFUSED)
    expect(redis_answers?(redis)).to be(false)
    expect(other_redis.ping?).to be(true) # the other program's Redis is left alone
  end
end
