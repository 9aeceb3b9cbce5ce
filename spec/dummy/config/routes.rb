# frozen_string_literal: true

Rails.application.routes.draw do
  get "webhooks/whatsapp/:phone_number", to: "webhooks/whatsapp#verify"
  post "webhooks/whatsapp/:phone_number", to: "webhooks/whatsapp#process_payload"

  namespace :api, defaults: { format: "json" } do
    namespace :v1 do
      resources :accounts, only: [] do
        resources :inboxes, only: %i[show create update], module: :accounts
        # Where agents act (chatwoot-contract.md): opening, typing in and deleting from a conversation,
        # retrying a failed message.
        resources :conversations, only: [], module: :accounts do
          member do
            post :toggle_typing_status
            post :update_last_seen
            post :unread
          end
          resources :messages, only: %i[destroy], module: :conversations do
            member { post :retry }
          end
        end
      end
    end
  end
end

Rails.application.routes.default_url_options = { host: ENV.fetch("FRONTEND_URL", "http://localhost:3000") }
