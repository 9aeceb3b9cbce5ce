# frozen_string_literal: true

module Compat
  module Chatwoot
    # Chatwoot's two GitHub-sourced gems, served inside the chroot from the git bundles in
    # ../shared/chatwoot: Bundler keeps the URLs of Gemfile.lock; git rewrites them.
    module GitSources
      GIT_BUNDLES = {
        "devise-secure_password" => "https://github.com/chatwoot/devise-secure_password",
        "azure-storage-ruby" => "https://github.com/chatwoot/azure-storage-ruby"
      }.freeze

      module_function

      # Bundler fetches git gems by URL: bare clones of the shared bundles answer for them.
      def serve
        FileUtils.mkdir_p(Compat.inside("srv/git"))
        lines = GIT_BUNDLES.map do |name, url|
          bundle = File.join(Build::SHARED, "#{name}.bundle")
          next unless File.file?(bundle)

          FileUtils.cp(bundle, Compat.inside("srv/git/#{name}.bundle"))
          # HEAD on the bundle's branch, and pinned revisions fetchable by sha (Bundler
          # fetches the locked revision, which need not be a branch tip).
          "[ -d /srv/git/#{name}.git ] || git clone -q --bare /srv/git/#{name}.bundle /srv/git/#{name}.git\n" \
            "git -C /srv/git/#{name}.git symbolic-ref HEAD \"$(git -C /srv/git/#{name}.git for-each-ref " \
            "--format='%(refname)' refs/heads | head -1)\"\n" \
            "git config --global --unset-all url.file:///srv/git/#{name}.git.insteadOf || true\n" \
            "git config --global --add url.file:///srv/git/#{name}.git.insteadOf #{url}\n" \
            "git config --global --add url.file:///srv/git/#{name}.git.insteadOf #{url}.git"
        end
        lines << "git config --global uploadpack.allowAnySHA1InWant true"
        lines << "git config --global init.defaultBranch main"
        Compat.in_chroot(lines.compact.join("\n")) || abort("compat:chatwoot: git bundles failed")
      end
    end
  end
end
