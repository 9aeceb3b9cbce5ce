# frozen_string_literal: true

require_relative "json_lines"

module Compat
  module Chatwoot
    # The host side of dashboard_driver.js: Debian's chromium driven by playwright-core (from
    # the npm registry, installed under tmp/, not part of the project), one node process
    # kept open for the run. Chromium runs on the host: the chroot shares the network, so
    # Chatwoot's Puma is on the same loopback address.
    class DashboardDriver
      include JsonLines

      PLAYWRIGHT = "playwright-core@1.65.1"
      REPLY = "DRIVER "
      DIR = File.join(Compat::PROJECT, "tmp/compat/dashboard-driver")
      CHROMIUM = ENV.fetch("WAWEB_COMPAT_CHROMIUM", "/usr/bin/chromium")

      # Debian packages: the browser, and colour emoji (without them reactions are empty boxes).
      PACKAGES = %w[chromium fonts-noto-color-emoji].freeze

      def self.install
        unless system("dpkg", "-s", *PACKAGES, out: File::NULL, err: File::NULL) && File.executable?(CHROMIUM)
          Compat.sh!("apt-get", "update", "-q")
          Compat.sh!({ "DEBIAN_FRONTEND" => "noninteractive" }, "apt-get", "install", "-y", "-q", *PACKAGES)
        end
        return if File.directory?(File.join(DIR, "node_modules/playwright-core"))

        FileUtils.mkdir_p(DIR)
        File.write(File.join(DIR, "package.json"), %({"private": true}\n))
        Compat.sh!("npm", "install", "--prefix", DIR, "--no-audit", "--no-fund", PLAYWRIGHT)
      end

      def initialize(services, shots:, width: 1440, height: 1000)
        self.class.install
        script = File.expand_path("dashboard_driver.js", __dir__)
        command = ["node", script, File.join(DIR, "node_modules/playwright-core"), CHROMIUM]
        @io = IO.popen([{ "WAWEB_SHOTS" => shots }, *command], "r+",
                       pgroup: true, err: [services.log_path("dashboard-driver.log"), "a"])
        services.adopt(:chromium, @io.pid)
        read_reply(timeout: 30)
        @version = call("start", width: width, height: height)["version"]
      end

      attr_reader :version

      def call(operation, timeout: 120, **args)
        @io.puts(JSON.generate(args.merge(op: operation)))
        reply = read_reply(timeout: timeout)
        raise StepFailed, "Chromium: #{operation}: #{reply['error']}" unless reply["ok"]

        reply["value"]
      end

      def stop
        call("stop", timeout: 30)
      rescue StandardError
        nil
      ensure
        @io.close unless @io.closed?
      end

      private

      def exited = StepFailed.new("the Chromium driver exited (dashboard-driver.log)")
    end
  end
end
