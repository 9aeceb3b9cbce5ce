# frozen_string_literal: true

require "open3"
require "rbconfig"

# bin/demo's program, run as the operator would (its own process, SQLite, Puma, the fake
# gateway), so the suite fails when the demo does. bin/setup is skipped: bin/test ran it.
RSpec.describe "bin/demo" do
  let(:root) { File.expand_path("../..", __dir__) }

  it "verifies every step and exits 0" do
    env = { "DATABASE_URL" => nil, "RAILS_ENV" => nil, "WAWEB_DEMO_PORT" => nil }
    # Its own Redis database when a Redis is given (jobs then run on Sidekiq), else inline.
    env["REDIS_URL"] = ENV["REDIS_URL"].sub(%r{/\d*\z}, "/15") if ENV["REDIS_URL"].to_s.match?(%r{\Aredis://})
    out, status = Open3.capture2e(env, RbConfig.ruby, "spec/dummy/script/demo.rb", chdir: root)
    expect(status.exitstatus).to eq(0), out
    expect(out).to include("every step verified")
    expect(out).not_to include("FAIL")
    expect(out).to match(%r{connection page: http://127\.0\.0\.1:\d+/whatsapp_web/inboxes/\d+/connect\?token=})
  end
end
