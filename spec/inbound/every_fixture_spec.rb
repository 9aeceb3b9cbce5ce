# frozen_string_literal: true

require_relative "inbound_helper"
require_relative "support/fixture_checks"

# Every webhook fixture, signed, through the real endpoint, Sidekiq on real Redis and
# the database, with the records each kind must leave (see support/fixture_checks.rb).
RSpec.describe "Every webhook fixture, end to end", :inbound do
  include FixtureChecks

  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }

  after { gateway.stop }

  FixtureChecks::NAMES.each do |name|
    it "#{name} (#{InboundHelpers::EXPECTED.fetch(name)['kind']})" do
      serve_all_media
      inbox
      run_fixture(name)
      expect(sidekiq_queue_sizes.values.sum).to eq(0)
    end
  end

  it "covers every fixture file" do
    expect(FixtureChecks::NAMES.size).to eq(InboundHelpers::EXPECTED.size)
    expect(FixtureChecks::NAMES.size).to be >= 53
  end
end
