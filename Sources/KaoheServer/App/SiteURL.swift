import Foundation

/// Every path of the site, built in one place (DESIGN.md: typed routes).
enum SiteURL {
    case home
    case login
    case logout
    case password
    case language
    case employee(UUID)
    case health
    case api(API)

    enum API {
        case me
        case employees
        case employeeResults(UUID)
        case tokens
        case openapi
    }

    var path: String {
        switch self {
        case .home: return "/"
        case .login: return "/login"
        case .logout: return "/logout"
        case .password: return "/account/password"
        case .language: return "/language"
        case .employee(let id): return "/employees/\(id.uuidString)"
        case .health: return "/healthz"
        case .api(let a):
            switch a {
            case .me: return "/api/v1/me"
            case .employees: return "/api/v1/employees"
            case .employeeResults(let id): return "/api/v1/employees/\(id.uuidString)/results"
            case .tokens: return "/api/v1/tokens"
            case .openapi: return "/api/v1/openapi.json"
            }
        }
    }
}
