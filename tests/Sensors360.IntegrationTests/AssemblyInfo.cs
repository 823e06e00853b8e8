using System.Runtime.Versioning;

// These tests read /proc and start Linux processes (PostgreSQL, RabbitMQ) directly.
[assembly: SupportedOSPlatform("linux")]
