/// The OpenAPI description of /api/v1, served at /api/v1/openapi.json.
enum OpenAPI {
    static let document = """
    {
      "openapi": "3.0.3",
      "info": {"title": "Kaohe 考核 API", "version": "1"},
      "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}, "session": {"type": "apiKey", "in": "cookie", "name": "kaohe_session"}},
        "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}}},
      "security": [{"token": []}, {"session": []}],
      "paths": {
        "/api/v1/me": {"get": {"summary": "The signed-in user", "responses": {"200": {"description": "user"}, "401": {"description": "not signed in"}}}},
        "/api/v1/employees": {"get": {"summary": "Employees the caller may see (own / team / department / all by role)", "responses": {"200": {"description": "list"}}}},
        "/api/v1/employees/{id}/results": {"get": {"summary": "Stored results of an employee, with the scheme version used",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
          "responses": {"200": {"description": "results"}, "403": {"description": "not allowed"}, "404": {"description": "no such employee"}}}},
        "/api/v1/tokens": {"post": {"summary": "Create an API token for the caller (shown once)",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 80}}}}}},
          "responses": {"201": {"description": "token"}, "400": {"description": "bad request"}}}}
      }
    }
    """
}
