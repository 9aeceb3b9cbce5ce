# frozen_string_literal: true

# rake compat:chatwoot — real Chatwoot (../shared/chatwoot/ or CHATWOOT_SRC=<checkout>) with
# the gem, in the trixie chroot of compat:ruby33. See README, "Checking against real Chatwoot".
require "shellwords"
load File.expand_path("compat.rake", __dir__) unless defined?(Compat::ROOT)
require_relative "compat/chatwoot/build"

namespace :compat do
  namespace :chatwoot do
    desc "Build real Chatwoot with the gem in the trixie chroot (reused on later runs)"
    task :build do
      Compat.bootstrap
      Compat::Chatwoot::Build.run
    end
  end
end
