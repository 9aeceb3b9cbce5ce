# frozen_string_literal: true

require "json"
require "waweb_native"

FIXTURES = ENV.fetch("WAWEB_FIXTURES") { File.expand_path("../../shared/fixtures/webhooks", __dir__) }

Dir[File.join(__dir__, "support/**/*.rb")].each { |f| require f }

RSpec.configure do |config|
  config.expect_with(:rspec) { |c| c.syntax = :expect }
  config.disable_monkey_patching!
  config.order = :random
  Kernel.srand config.seed
end
