# frozen_string_literal: true

# The token a user sends as the `api_access_token` header (Chatwoot: has_secure_token, owned by a user or bot).
class AccessToken < ApplicationRecord
  has_secure_token :token
  belongs_to :owner, polymorphic: true
end
