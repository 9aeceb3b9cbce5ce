# frozen_string_literal: true

module Compat
  module Chatwoot
    # Makes real Chatwoot runnable inside the trixie chroot (once; later runs reuse it):
    # Debian packages, Chatwoot's sources under /chatwoot with only the Gemfile's `ruby`
    # line changed, its two GitHub-sourced gems served from the shared git bundles, and
    # its bundle under /opt/chatwoot-bundle. The gem itself is re-copied every run.
    module Build
      SHARED = File.expand_path("../shared/chatwoot", Compat::PROJECT)
      TARBALL = File.join(SHARED, "chatwoot-4.9.1.tar.gz")
      PACKAGES = %w[ruby ruby3.3 ruby3.3-dev build-essential pkg-config git nodejs ca-certificates
                    libpq-dev postgresql-17 postgresql-17-pgvector redis-server
                    libyaml-dev libffi-dev zlib1g-dev libssl-dev libgmp-dev
                    libcurl4-openssl-dev libyajl-dev tzdata shared-mime-info].freeze
      BUNDLE_PATH = "/opt/chatwoot-bundle"
      MARK_UNPACKED = "chatwoot/.waweb-unpacked"
      MARK_BUNDLED = "chatwoot/.waweb-bundled"
      # The gem, added the way an operator adds it: a `path:` gem in Chatwoot's Gemfile
      # (a second Gemfile that evaluates Chatwoot's own and adds one line, so the same
      # checkout also runs without the gem for the spec comparison).
      GEMFILE_WITH_GEM = <<~RUBY
        # frozen_string_literal: true

        eval_gemfile File.expand_path("Gemfile", __dir__)
        gem "waweb_native", path: "/waweb_native"
      RUBY

      module_function

      def run
        install_packages
        unpack
        GitSources.serve
        bundle
        copy_gem
      end

      def install_packages
        # No service may start inside the chroot on its own (Debian's postinst would
        # start a PostgreSQL cluster on 5432 and a Redis on 6379 otherwise).
        File.write(Compat.inside("usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n")
        File.chmod(0o755, Compat.inside("usr/sbin/policy-rc.d"))
        script = <<~SH
          if ! dpkg -s #{PACKAGES.join(' ')} >/dev/null 2>&1; then
            apt-get update -q
            apt-get install -y -q --no-install-recommends #{PACKAGES.join(' ')}
          fi
          case "$(ruby -e 'print RUBY_VERSION')" in 3.3.*) ;; *) echo "ruby is not 3.3" >&2; exit 1;; esac
        SH
        Compat.in_chroot(script) || abort("compat:chatwoot: package installation in the chroot failed")
      end

      # CHATWOOT_SRC (a checkout) or the shared 4.9.1 tarball, unpacked once.
      def unpack
        return if File.exist?(Compat.inside(MARK_UNPACKED))

        dest = Compat.inside("chatwoot")
        FileUtils.rm_rf(dest)
        FileUtils.mkdir_p(dest)
        if (src = ENV.fetch("CHATWOOT_SRC", nil))
          abort "CHATWOOT_SRC=#{src} has no Gemfile" unless File.file?(File.join(src, "Gemfile"))
          Compat.sh!("tar -C #{Shellwords.escape(src)} --exclude=./.git --exclude=./node_modules " \
                     "--exclude=./tmp --exclude=./log -cf - . | tar -C #{dest} -xf -")
        else
          Compat.sh!("tar", "-C", dest, "--strip-components=1", "-xzf", TARBALL)
        end
        gemfile = File.join(dest, "Gemfile")
        text = File.read(gemfile)
        changed = text.sub(/^ruby ['"][^'"]+['"]$/, "ruby '#{ruby_version}'")
        if changed == text && !text.include?("ruby '#{ruby_version}'")
          abort "compat:chatwoot: no `ruby '...'` line in #{gemfile}"
        end
        File.write(gemfile, changed)
        File.write(File.join(dest, "Gemfile.waweb"), GEMFILE_WITH_GEM)
        FileUtils.touch(Compat.inside(MARK_UNPACKED))
      end

      def ruby_version
        @ruby_version ||= begin
          out = IO.popen(["chroot", Compat::ROOT, "ruby", "-e", "print RUBY_VERSION"], &:read)
          abort "compat:chatwoot: no ruby in the chroot" unless $CHILD_STATUS.success?
          out
        end
      end

      def bundle
        return if File.exist?(Compat.inside(MARK_BUNDLED))

        script = <<~SH
          cd /chatwoot
          want=$(awk '/^BUNDLED WITH/{getline; print $1}' Gemfile.lock)
          gem list -i bundler -v "$want" >/dev/null || gem install --no-document bundler -v "$want"
          bundle config set --global path #{BUNDLE_PATH}
          bundle config set --global jobs 2
          bundle install --quiet
          cp Gemfile.lock Gemfile.waweb.lock
        SH
        started = Time.now
        Compat.in_chroot(script) || abort("compat:chatwoot: bundle install of Chatwoot failed")
        puts format("==> Chatwoot's bundle installed in %.0f s", Time.now - started)
        FileUtils.touch(Compat.inside(MARK_BUNDLED))
      end

      # A `path:` gem is used as it is on disk: Bundler never compiles its extension, so
      # it is compiled here, with the chroot's Ruby, into lib/ where `require` finds it.
      def copy_gem
        dest = Compat.inside("waweb_native")
        FileUtils.rm_rf(dest)
        FileUtils.mkdir_p(dest)
        Compat.sh!("tar -C #{Compat::PROJECT} --exclude=./tmp --exclude=./vendor --exclude=./.git " \
                   "--exclude=./.bundle --exclude=./spec --exclude=./bench --exclude='*.so' --exclude='*.o' " \
                   "-cf - . | tar -C #{dest} -xf -")
        script = <<~SH
          mkdir -p /tmp/waweb-build && cd /tmp/waweb-build && rm -rf ./*
          WAWEB_PEDANTIC=1 ruby /waweb_native/ext/waweb_native/extconf.rb >/dev/null
          make -s -j2
          cp waweb_native.so /waweb_native/lib/waweb_native/
          cd /chatwoot && BUNDLE_GEMFILE=Gemfile.waweb bundle install --quiet
        SH
        Compat.in_chroot(script) || abort("compat:chatwoot: compiling or bundling the gem in the chroot failed")
      end
    end
  end
end
