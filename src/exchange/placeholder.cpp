// Placeholder until the exchange sources land.
namespace idara::exchange {}
