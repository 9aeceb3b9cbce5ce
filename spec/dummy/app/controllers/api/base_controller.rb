# frozen_string_literal: true

module Api
  # Chatwoot's API authentication, reduced to what the gem needs: the `api_access_token`
  # header is looked up among access tokens owned by users; the user becomes Current.user.
  class BaseController < ActionController::API
    before_action :authenticate_access_token!

    rescue_from ActiveRecord::RecordNotFound do
      render json: { error: "Resource could not be found" }, status: :not_found
    end

    rescue_from ActiveRecord::RecordInvalid do |e|
      render json: { message: e.record.errors.full_messages.join(", ") }, status: 422
    end

    private

    def authenticate_access_token!
      token = request.headers[:api_access_token] || request.headers[:HTTP_API_ACCESS_TOKEN]
      access_token = AccessToken.find_by(token: token.to_s) if token.present?
      user = access_token&.owner
      return render_unauthorized("Invalid Access Token") unless user.is_a?(User)

      Current.user = user
    end

    def render_unauthorized(message)
      render json: { error: message }, status: :unauthorized
    end
  end
end
