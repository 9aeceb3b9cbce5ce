# frozen_string_literal: true

require "digest"

module Compat
  module Chatwoot
    # Chatwoot's Vue dashboard built from its own package.json and pnpm-lock.yaml, inside the
    # chroot (where Chatwoot's bundle is: `bin/vite` is vite_ruby's Ruby binstub, which runs
    # `pnpm exec vite build` and writes public/vite). pnpm is the version package.json
    # names, through Debian's corepack; packages come from the npm registry. Chatwoot wants
    # node 23; trixie has 20, which Vite 5 accepts, so pnpm's engine check is turned off.
    # Built once per source: the key (lockfile, package.json, Vite's config, the frontend's
    # files) is stored beside the output, and a later run with the same key skips the build.
    module DashboardBuild
      COREPACK_HOME = "/opt/waweb-corepack"
      STORE = "/opt/waweb-pnpm-store"
      MANIFEST = "chatwoot/public/vite/.vite/manifest.json"
      KEY_FILE = "chatwoot/public/vite/.waweb-build-key"
      SOURCES = %w[package.json pnpm-lock.yaml vite.config.ts config/vite.json tailwind.config.js
                   postcss.config.js].freeze

      module_function

      def enabled? = ENV["WAWEB_COMPAT_DASHBOARD"] == "1"

      # "reused" or "built in N s"; raises when the build fails.
      def run
        key = source_key
        if File.exist?(Compat.inside(MANIFEST)) && read_key == key
          return "reused (public/vite, key #{key[0, 12]} of the lockfile and the frontend's sources)"
        end

        started = Time.now
        build or raise StepFailed, "pnpm install / bin/vite build failed (output above)"
        raise StepFailed, "no #{MANIFEST} after the build" unless File.exist?(Compat.inside(MANIFEST))

        File.write(Compat.inside(KEY_FILE), "#{key}\n")
        format("built in %<s>.0f s: pnpm install --frozen-lockfile, bin/vite build (production) -> public/vite",
               s: Time.now - started)
      end

      def build
        script = <<~SH
          cd /chatwoot
          mkdir -p #{COREPACK_HOME}/bin
          corepack enable --install-directory #{COREPACK_HOME}/bin pnpm
          echo "==> pnpm $(pnpm --version) on node $(node --version)"
          pnpm install --frozen-lockfile --config.engine-strict=false --store-dir #{STORE}
          bin/vite build --force
        SH
        env = { "PATH" => "#{COREPACK_HOME}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "COREPACK_HOME" => COREPACK_HOME, "COREPACK_ENABLE_DOWNLOAD_PROMPT" => "0", "CI" => "true",
                # node reads its CAs from here, not from SSL_CERT_FILE (a TLS-inspecting proxy's CA)
                "NODE_EXTRA_CA_CERTS" => Compat.host_trust.fetch("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"),
                "RAILS_ENV" => "production", "NODE_ENV" => "production", "SECRET_KEY_BASE" => "precompile_placeholder",
                "NODE_OPTIONS" => "--max-old-space-size=4096", "BUNDLE_GEMFILE" => "/chatwoot/Gemfile" }
        Compat.in_chroot(script, env)
      end

      def source_key
        root = Compat.inside("chatwoot")
        digest = Digest::SHA256.new
        files = SOURCES.map { |f| File.join(root, f) }.select { |f| File.file?(f) }
        files += Dir.glob(File.join(root, "app/javascript/**/*")).select { |f| File.file?(f) }.sort
        files.each do |f|
          digest << f.delete_prefix(root) << "\0" << Digest::SHA256.file(f).digest
        end
        digest.hexdigest
      end

      def read_key
        File.read(Compat.inside(KEY_FILE)).strip
      rescue Errno::ENOENT
        nil
      end
    end
  end
end
